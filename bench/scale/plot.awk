# plot.awk - a small SVG line plot, written by hand (no plotting library):
# one or more panels side by side, each with a log10 x axis and a linear y
# axis from 0, one or more series of points.
#
# Input lines (tab-separated):
#   panel <TAB> title <TAB> x label <TAB> y label
#   series <TAB> name <TAB> colour
#   point <TAB> x <TAB> y <TAB> label (label optional, drawn above the point)
# Output: the SVG document on stdout.
BEGIN { FS = "\t"; np = 0 }
$1 == "panel"  { np++; title[np] = $2; xl[np] = $3; yl[np] = $4; ns[np] = 0; next }
$1 == "series" { s = ++ns[np]; sname[np, s] = $2; scol[np, s] = $3; npt[np, s] = 0; next }
$1 == "point"  { s = ns[np]; k = ++npt[np, s]; px[np, s, k] = $2 + 0; py[np, s, k] = $3 + 0; pl[np, s, k] = $4; next }
function lg(v) { return log(v) / log(10) }
function fmt(v) {
  if (v >= 1e6) return sprintf("%gM", v / 1e6)
  if (v >= 1e3) return sprintf("%gk", v / 1e3)
  return sprintf("%g", v)
}
function esc(t) { gsub(/&/, "\\&amp;", t); gsub(/</, "\\&lt;", t); gsub(/>/, "\\&gt;", t); return t }
END {
  W = 460; H = 340; ml = 70; mr = 20; mt = 40; mb = 60
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W * np, H
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  for (p = 1; p <= np; p++) {
    ox = (p - 1) * W
    xmin = 1e300; xmax = -1e300; ymax = 0
    for (s = 1; s <= ns[p]; s++) for (k = 1; k <= npt[p, s]; k++) {
      if (px[p, s, k] < xmin) xmin = px[p, s, k]
      if (px[p, s, k] > xmax) xmax = px[p, s, k]
      if (py[p, s, k] > ymax) ymax = py[p, s, k]
    }
    lx0 = int(lg(xmin) + 1e-9); if (10 ^ lx0 > xmin * 1.000001) lx0--
    lx1 = int(lg(xmax) - 1e-9); if (10 ^ lx1 < xmax * 0.999999) lx1++
    if (lx1 <= lx0) lx1 = lx0 + 1
    # y axis: 4 ticks of a round step (1, 2, 2.5 or 5 times a power of 10)
    raw = (ymax > 0 ? ymax : 1) * 1.05 / 4
    mag = 10 ^ int(lg(raw)); if (mag > raw) mag /= 10
    split("1 2 2.5 5 10", nice, " ")
    for (j = 1; j <= 5; j++) if (nice[j] * mag >= raw) { tick = nice[j] * mag; break }
    top = 4 * tick
    x0 = ox + ml; x1 = ox + W - mr; y0 = H - mb; y1 = mt
    printf "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>\n", (x0 + x1) / 2, esc(title[p])
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", x0, y0, x1, y0
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", x0, y0, x0, y1
    for (e = lx0; e <= lx1; e++) {
      x = x0 + (e - lx0) / (lx1 - lx0) * (x1 - x0)
      printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, y0, x, y1
      printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, y0 + 16, fmt(10 ^ e)
    }
    for (k = 0; k <= 4; k++) {
      v = top * k / 4; y = y0 - (v / top) * (y0 - y1)
      printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x0, y, x1, y
      printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", x0 - 6, y + 4, fmt(v)
    }
    printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (x0 + x1) / 2, H - 22, esc(xl[p])
    printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">%s</text>\n", ox + 16, (y0 + y1) / 2, ox + 16, (y0 + y1) / 2, esc(yl[p])
    for (s = 1; s <= ns[p]; s++) {
      pts = ""
      for (k = 1; k <= npt[p, s]; k++) {
        x = x0 + (lg(px[p, s, k]) - lx0) / (lx1 - lx0) * (x1 - x0)
        y = y0 - (py[p, s, k] / top) * (y0 - y1)
        pts = pts sprintf("%.1f,%.1f ", x, y)
        printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", x, y, scol[p, s]
        if (pl[p, s, k] != "")
          printf "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\">%s</text>\n", x, y - 8, scol[p, s], esc(pl[p, s, k])
      }
      printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts, scol[p, s]
      printf "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", x1 - 150, y1 + 14 * s, scol[p, s], esc(sname[p, s])
    }
  }
  print "</svg>"
}
