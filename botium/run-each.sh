#!/bin/sh
# Runs each convo of a directory through botium-cli against its own fresh `weiyin serve`
# (a new sandbox ledger from the test fixture, a fixed clock), as `weiyin test` does in-process.
# Usage: botium/run-each.sh [CONVO_DIR] (default testdata/transcripts); run from the repository
# root with `weiyin` and `botium-cli` on PATH. Exit status 1 if any convo fails.
set -u
dir=${1:-testdata/transcripts}
port=${WEIYIN_BOTIUM_PORT:-$((20000 + $$ % 10000))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s/127.0.0.1:8080/127.0.0.1:$port/" botium/botium.json > "$work/botium.json"
pass=0
fail=0
for convo in "$dir"/*.convo.txt; do
	name=$(basename "$convo" .convo.txt)
	case $(cat "$convo") in
	*LOCATION*|*EVENT\ *|*CLICK\ *|*WAIT\ *)
		echo "skip $name (needs weiyin test: location, event, menu click or clock)"
		continue ;;
	esac
	rm -rf "$work/convos" "$work/data"
	mkdir -p "$work/convos"
	cp "$convo" "$dir"/*.pconvo.txt "$dir"/*.utterances.txt "$work/convos/" 2>/dev/null
	weiyin serve --addr "127.0.0.1:$port" --data "$work/data" --fixture testdata/fixtures/test.json \
		--now 2026-11-25T10:00:00+08:00 --sandbox-login >"$work/serve.log" 2>&1 &
	pid=$!
	i=0
	until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
			echo "weiyin serve did not start:"; cat "$work/serve.log"; kill $pid 2>/dev/null; exit 2
		fi
		sleep 0.1
	done
	if botium-cli run --config "$work/botium.json" --convos "$work/convos" >"$work/out.txt" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
		grep -E "expected|Error:" "$work/out.txt" | head -5
	fi
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
