#!/bin/sh
# Side-by-side speed: `weiyin nlu --json` over 40,000 lines (the evaluation set's texts
# repeated) against nlp.js 4.27.0 process() in-process on the same lines, nlp.js trained on
# the shipped bot's exported examples. Run from the repository root after
# `npm ci --prefix tools/nlpjs`:
#
#   sh tools/nlpjs/speed.sh
set -eu
cd "$(dirname "$0")/../.."
if [ ! -d tools/nlpjs/node_modules/node-nlp ]; then
	echo "speed.sh: node-nlp is not installed: run npm ci --prefix tools/nlpjs" >&2
	exit 2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/weiyin" ./cmd/weiyin
"$dir/weiyin" export --format tsv > "$dir/train.tsv"
cp testdata/nlu/eval.tsv "$dir/test.tsv"
n=0
: > "$dir/lines.txt"
while [ "$n" -lt 40000 ]; do
	cut -f1 testdata/nlu/eval.tsv >> "$dir/lines.txt"
	n=$(wc -l < "$dir/lines.txt")
done
head -n 40000 "$dir/lines.txt" > "$dir/lines40k.txt"
"$dir/weiyin" nlu 余额 > /dev/null # fill the calibration cache, as a server's first start does
start=$(date +%s%N)
"$dir/weiyin" nlu --json < "$dir/lines40k.txt" > /dev/null
end=$(date +%s%N)
us=$(( (end - start) / 4000000 )) # tenths of a microsecond a line
echo "weiyin nlu --json: 40000 lines, $((us / 10)).$((us % 10)) µs a line (wall clock, process start included)"
node tools/nlpjs/compare.js "$dir" --lines 40000 > "$dir/nlpjs.json"
cat "$dir/nlpjs.json"
# The ratio of nlp.js's time a line to weiyin's, both from this run.
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const w = Number(process.argv[2]) / 10; console.log("nlp.js " + r.us_per_utterance + " µs a line / weiyin " + w + " µs = " + (r.us_per_utterance / w).toFixed(2) + " times")' "$dir/nlpjs.json" "$us"
