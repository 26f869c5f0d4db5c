// The network view's connections, drawn on one canvas (colour = sign, thickness = |w|), and
// the connection under the pointer. One canvas rather than an SVG line a connection keeps a
// network of 6 layers of 32 (about 5,000 connections) cheap to redraw.

// One stroke per (sign, thickness) bucket instead of one per connection: ~5,000 connections
// of a 6×32 network become at most 16 paths. The canvas shows each connection's bucket
// only, so a frame that moves no connection into another bucket (and keeps the layout and
// the glow) would draw the same pixels: it leaves the canvas as it is (about half of a
// moons 2-16-16-1 network's frames).
const LEVELS = 8;

// `ctx` is the canvas's 2-D context. `draw(net, geo, width, height, highlight, pulse)` shows
// `net.weights` laid out by `geo` (network_layout.js), with the highlighted neuron's or
// layer's connections and the pulsing layer's aglow; `at(net, geo, x, y)` is the connection
// nearest to the point within 5 px, as {layer, row, col}, or null.
export function connectionsCanvas(ctx) {
  let drawn = null;  // {geo, buckets, glow} of what the canvas shows

  function draw(net, geo, width, height, h, pulse) {
    if (!net || !geo || !fits(net, geo)) {
      ctx.clearRect(0, 0, width, height);
      drawn = null;
      return;
    }
    let maxAbs = 1e-9;
    let count = 0;
    for (const layer of net.weights) for (const row of layer.w) {
      count += row.length;
      for (const w of row) maxAbs = Math.max(maxAbs, Math.abs(w));
    }
    const bucketOf = new Uint8Array(count);
    let k = 0;
    for (const layer of net.weights) for (const row of layer.w) for (const w of row) {
      bucketOf[k++] = (w >= 0 ? 0 : LEVELS) + Math.min(LEVELS - 1, Math.floor((Math.abs(w) / maxAbs) * LEVELS));
    }
    const glowKey = `${h && h.layer !== undefined ? `${h.layer}:${h.neuron}` : ''}/${pulse}`;
    if (drawn && drawn.geo === geo && drawn.glow === glowKey
        && drawn.buckets.every((b, n) => b === bucketOf[n])) return;
    drawn = { geo, buckets: bucketOf, glow: glowKey };
    ctx.clearRect(0, 0, width, height);
    const buckets = Array.from({ length: 2 * LEVELS }, () => new Path2D());
    const half = geo.s / 2;
    k = 0;
    net.weights.forEach((layer, l) => {
      const a = geo.cols[l];
      const b = geo.cols[l + 1];
      layer.w.forEach((row, j) => row.forEach((_, i) => {
        const path = buckets[bucketOf[k++]];
        path.moveTo(a.x + half, a.ys[i]);
        path.lineTo(b.x - half, b.ys[j]);
      }));
    });
    ctx.lineCap = 'round';
    buckets.forEach((path, n) => {
      const t = ((n % LEVELS) + 0.5) / LEVELS;
      ctx.strokeStyle = n < LEVELS ? '#2166ac' : '#d6604d';
      ctx.globalAlpha = 0.25 + 0.7 * t;
      ctx.lineWidth = (0.5 + 4.5 * t) * geo.thickness;
      ctx.stroke(path);
    });
    ctx.globalAlpha = 1;
    const glow = (segments, lineWidth) => {
      ctx.strokeStyle = '#ffb000';
      ctx.globalAlpha = 0.7;
      ctx.lineWidth = lineWidth;
      ctx.beginPath();
      for (const [x1, y1, x2, y2] of segments) { ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); }
      ctx.stroke();
      ctx.globalAlpha = 1;
    };
    if (h && h.layer !== undefined && net.weights[h.layer]) {
      const rows = h.neuron === undefined ? net.weights[h.layer].w.map((_, j) => j)
        : [h.neuron].filter((j) => j < net.weights[h.layer].w.length);
      glow(rows.flatMap((j) => net.weights[h.layer].w[j].map((_, i) => linkEnds(geo, h.layer, j, i))), 2);
    }
    if (pulse !== null && net.weights[pulse]) {
      glow(net.weights[pulse].w.flatMap((row, j) => row.map((_, i) => linkEnds(geo, pulse, j, i))), 2.5);
    }
  }

  function at(net, geo, x, y) {
    if (!net || !geo || !fits(net, geo)) return null;
    let best = null;
    let bestD = 25;
    net.weights.forEach((layer, l) => {
      const a = geo.cols[l].x + geo.s / 2;
      const b = geo.cols[l + 1].x - geo.s / 2;
      if (x < a - 5 || x > b + 5) return;
      layer.w.forEach((row, j) => row.forEach((_, i) => {
        const d = segmentDistance2(x, y, ...linkEnds(geo, l, j, i));
        if (d < bestD) { bestD = d; best = { layer: l, row: j, col: i }; }
      }));
    });
    return best;
  }

  return { draw, at };
}

// The connection from neuron i of column l to neuron j of column l + 1: [x1, y1, x2, y2].
function linkEnds(geo, l, j, i) {
  const a = geo.cols[l];
  const b = geo.cols[l + 1];
  return [a.x + geo.s / 2, a.ys[i], b.x - geo.s / 2, b.ys[j]];
}

// A frame may bring new weights before the new structure (or the other way round) when the
// network is rebuilt: draw only weights whose shape is the drawn layout's; the other key's
// update draws again.
function fits(net, geo) {
  return net.weights.length === geo.cols.length - 1 && net.weights.every(
    (layer, l) => layer.w.length === geo.cols[l + 1].ys.length
      && layer.w.every((row) => row.length === geo.cols[l].ys.length));
}

function segmentDistance2(px, py, x1, y1, x2, y2) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy || 1)));
  const ex = x1 + t * dx - px;
  const ey = y1 + t * dy - py;
  return ex * ex + ey * ey;
}
