# Independent renderings of docker's human formats, for tests that compare
# hutch's output with what docker prints (sourced by tests/integration files).

# docker's CREATED text for a config time: go-units' HumanDuration + " ago".
since() {
    python3 - "$1" <<'EOF'
import sys, datetime
t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
s = int((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
h = round(s / 3600)
if h < 48: r = "%d hours" % h
elif h < 24 * 14: r = "%d days" % (h // 24)
elif h < 24 * 60: r = "%d weeks" % (h // 24 // 7)
elif h < 24 * 365 * 2: r = "%d months" % (h // 24 // 30)
else: r = "%d years" % (s // 3600 // 24 // 365)
print(r + " ago")
EOF
}

# go-units' HumanSizeWithPrecision: BYTES [PRECISION]
human() {
    python3 -c 'import sys
b, p = float(sys.argv[1]), int(sys.argv[2])
u = ["B", "kB", "MB", "GB", "TB"]; i = 0
while b >= 1000 and i < 4: b /= 1000; i += 1
print("%.*g%s" % (p, b, u[i]))' "$1" "${2:-3}"
}

# columns as docker's tabwriter aligns them: each tab-separated column as wide
# as its widest cell + 3, at least 10; the last column unpadded.
align() {
    python3 -c 'import sys
rows = [l.split("\t") for l in sys.stdin.read().rstrip("\n").split("\n")]
w = [max(10, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]) - 1)]
for r in rows: print("".join(c.ljust(w[i]) for i, c in enumerate(r[:-1])) + r[-1])'
}
