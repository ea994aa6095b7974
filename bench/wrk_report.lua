-- wrk's report for bench/run.py: at the end of a run, one line holding what run.py reads.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "WRK-REPORT requests=%d duration_us=%d socket_errors=%d status_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50), latency:percentile(99)))
end
