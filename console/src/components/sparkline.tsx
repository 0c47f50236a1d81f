// A small inline SVG line of recent values: a glance, not a chart (the Sensors page has those).
export function Sparkline({ values, width = 120, height = 28, label }: { values: (number | null)[]; width?: number; height?: number; label: string }) {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0)
    return (
      <svg class="spark" width={width} height={height} role="img" aria-label={label}>
        <line x1="0" y1={height - 1} x2={width} y2={height - 1} class="spark-empty" />
      </svg>
    );
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const step = width / Math.max(1, values.length - 1);
  let d = '';
  const dots: [number, number][] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    const x = i * step;
    const y = finite.length === 1 ? height / 2 : height - 2 - ((v - min) / span) * (height - 4);
    const joined = i > 0 && values[i - 1] !== null;
    d += `${joined ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    // A reading with silence on both sides would be an invisible zero-length line: draw a dot.
    if (!joined && (i === values.length - 1 || values[i + 1] === null)) dots.push([x, y]);
  });
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} class="spark-empty" />
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" />
      {dots.map(([x, y]) => (
        <circle cx={Math.min(width - 2, Math.max(2, x))} cy={y} r="2" fill="currentColor" />
      ))}
    </svg>
  );
}
