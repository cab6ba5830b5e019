-- wrk script: sends the benchmark session's cookie and prints one JSON line of figures at the end.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "errors": %d, "bad_status": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
