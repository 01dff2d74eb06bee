-- wrk script: POST the bytes of BENCH_BODY_FILE to BENCH_PATH with the BENCH_KEY bearer key.
-- Set at load time so wrk builds one static request and spends no Lua per request.
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
