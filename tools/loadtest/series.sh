#!/bin/bash
# The WeChat load test against one instance on bbolt and two instances on one Redis, in
# alternating runs (same conditions for each setup), with the CPU a message of each process.
# Needs redis-server. Run from the repository root:
#
#   tools/loadtest/series.sh [RUNS] [RATE] [MESSAGES]      (default 3 3100 20000)
#
# Each run: safe mode, 1,000 users bound to sandbox customers, the README's message mix.
# "redis" spreads every user's messages over the two instances at random; "redis-sticky"
# sends each user's to one instance, as a balancer hashing the openid does.
set -eu
runs=${1:-3} rate=${2:-3100} n=${3:-20000}
dir=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
go build -o "$dir/weiyin" ./cmd/weiyin
go build -o "$dir/loadtest" ./tools/loadtest
"$dir/loadtest" -users 1000 -fixture "$dir/fixture.json"
export WEIYIN_WECHAT_APPID=wxload000000000001 WEIYIN_WECHAT_TOKEN=loadtoken \
	WEIYIN_WECHAT_AESKEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime, clock ticks
hz=$(getconf CLK_TCK)

serve() { # serve DATA PORT [STORE]: starts weiyin serve, sets $spid
	WEIYIN_STORE=${3:-} "$dir/weiyin" serve --addr "127.0.0.1:$2" --data "$1" --log-level error \
		--fixture "$dir/fixture.json" --sandbox >"$1.log" 2>&1 &
	spid=$!
	pids+=("$spid")
}

one() { # one SETUP
	local setup=$1 urls="" procs=() rpid="" extra=""
	rm -rf "$dir/run" && mkdir -p "$dir/run"
	if [ "$setup" = bbolt ]; then
		local p; p=$(port)
		serve "$dir/run/a" "$p"; procs+=("$spid"); urls="http://127.0.0.1:$p/wechat"
	else
		local rp; rp=$(port)
		redis-server --port "$rp" --bind 127.0.0.1 --dir "$dir/run" --appendonly yes \
			--appendfsync everysec --save '' >"$dir/run/redis.log" 2>&1 &
		rpid=$!; pids+=("$rpid")
		sleep 0.5
		for i in a b; do
			local p; p=$(port)
			serve "$dir/run/$i" "$p" "redis://127.0.0.1:$rp/0"; procs+=("$spid")
			urls="${urls:+$urls,}http://127.0.0.1:$p/wechat"
		done
		[ "$setup" = redis-sticky ] && extra=-sticky
	fi
	local c0=() r0=0 i
	sleep 1
	"$dir/loadtest" -url "$urls" -wait 60s -users 1000 -n 1 -rate 0 >/dev/null 2>&1 || true # all up
	for i in "${!procs[@]}"; do c0[$i]=$(cpu "${procs[$i]}"); done
	[ -n "$rpid" ] && r0=$(cpu "$rpid")
	echo "=== $setup ($(uptime | sed 's/.*load/load/'))"
	"$dir/loadtest" -url "$urls" $extra -users 1000 -n "$n" -duration 15s -rate "$rate" |
		grep -E 'throughput|latency|errors|cpu check' || true
	local t=0
	for i in "${!procs[@]}"; do t=$((t + $(cpu "${procs[$i]}") - c0[$i])); done
	echo "weiyin CPU a message: $(awk -v t="$t" -v hz="$hz" -v n="$n" 'BEGIN{printf "%.3f ms", t/hz*1000/n}')"
	if [ -n "$rpid" ]; then
		echo "Redis CPU a message: $(awk -v t=$(($(cpu "$rpid") - r0)) -v hz="$hz" -v n="$n" 'BEGIN{printf "%.3f ms", t/hz*1000/n}')"
	fi
	kill "${procs[@]}" $rpid 2>/dev/null || true
	wait "${procs[@]}" $rpid 2>/dev/null || true
}

for r in $(seq "$runs"); do
	for setup in bbolt redis redis-sticky; do one "$setup"; done
done
