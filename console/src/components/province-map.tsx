// The province at a glance: a hand-drawn outline of Điện Biên, district seats, a graticule and
// the edge sites as markers coloured by status. Works with no network beyond the coordinator;
// with console.tile_url set, tiles from the IOC's own tile server are drawn underneath.
import { DISTRICT_SEATS, NEIGHBOUR_LABELS, PROVINCE_OUTLINE } from '../map/dien-bien.js';
import { boundsOf, fitProjection, type Projection } from '../map/projection.js';

/** Site states, and `report` for a citizen report's location. */
export type MarkerStatus = 'online' | 'partial' | 'offline' | 'empty' | 'report';

export interface SiteMarker {
  id: string;
  name: string;
  lon: number;
  lat: number;
  status: MarkerStatus;
  /** An open high-severity alarm or alert: the marker pulses. */
  alerting: boolean;
  detail: string;
}

const WIDTH = 600;
const HEIGHT = 620;
const GRATICULE_DEG = 0.25;
const SEAT_LABEL_CLEARANCE_DEG = 0.06;

export function ProvinceMap({
  markers,
  tileUrl,
  selected,
  onSelect,
  title,
}: {
  markers: SiteMarker[];
  tileUrl: string | null;
  selected?: string | undefined;
  onSelect?: (id: string) => void;
  title: string;
}) {
  const outline = PROVINCE_OUTLINE.map(([lon, lat]) => ({ lon, lat }));
  const proj = fitProjection(boundsOf([...outline, ...markers]), WIDTH, HEIGHT, 24);
  const path = `M${PROVINCE_OUTLINE.map(([lon, lat]) =>
    proj
      .project(lon, lat)
      .map((v) => v.toFixed(1))
      .join(','),
  ).join('L')}Z`;
  return (
    <svg class="province-map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} preserveAspectRatio="xMidYMid meet">
      <rect x="0" y="0" width={WIDTH} height={HEIGHT} class="map-water" />
      {tileUrl && <Tiles proj={proj} template={tileUrl} />}
      <Graticule proj={proj} />
      <path d={path} class={tileUrl ? 'map-province map-province-over-tiles' : 'map-province'} />
      {NEIGHBOUR_LABELS.map((p) => {
        const [x, y] = proj.project(p.lon, p.lat);
        return (
          <text x={x} y={y} class="map-neighbour" text-anchor="middle">
            {p.name}
          </text>
        );
      })}
      {DISTRICT_SEATS.map((p) => {
        const [x, y] = proj.project(p.lon, p.lat);
        // A site sits in most district seats: its own label says the name, so the seat's would only overlap it.
        const underSite = markers.some((m) => Math.abs(m.lon - p.lon) < SEAT_LABEL_CLEARANCE_DEG && Math.abs(m.lat - p.lat) < SEAT_LABEL_CLEARANCE_DEG);
        return (
          <g class="map-seat">
            <circle cx={x} cy={y} r="2.5" />
            {!underSite && (
              <text x={x + 5} y={y + 12}>
                {p.name}
              </text>
            )}
          </g>
        );
      })}
      {markers.map((m) => {
        const [x, y] = proj.project(m.lon, m.lat);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be an HTML <button>; it has role, tabIndex and Enter/Space handling
          <g
            class={`map-site map-site-${m.status}${m.alerting ? ' map-site-alerting' : ''}${selected === m.id ? ' map-site-selected' : ''}`}
            data-site={m.id}
            transform={`translate(${x.toFixed(1)},${y.toFixed(1)})`}
            onClick={() => onSelect?.(m.id)}
            tabIndex={0}
            role="button"
            aria-label={`${m.name}: ${m.detail}`}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onSelect?.(m.id)}
          >
            <title>{`${m.name} — ${m.detail}`}</title>
            {m.alerting && <circle r="12" class="map-site-pulse" />}
            <circle r="9" class="map-site-dot" />
            <text x="13" y="-8" class="map-site-label">
              {m.name}
            </text>
          </g>
        );
      })}
      <text x={WIDTH - 8} y={HEIGHT - 8} class="map-note" text-anchor="end">
        ≈ ranh giới gần đúng · approximate outline
      </text>
    </svg>
  );
}

function Graticule({ proj }: { proj: Projection }) {
  const lines = [];
  for (let lon = 100; lon <= 106; lon += GRATICULE_DEG) {
    const [x] = proj.project(lon, 21.5);
    if (x < 0 || x > proj.width) continue;
    lines.push(<line x1={x} y1={0} x2={x} y2={proj.height} class="map-grid" />);
    if (Math.abs(lon - Math.round(lon * 2) / 2) < 1e-6)
      lines.push(
        <text x={x + 3} y={14} class="map-grid-label">
          {lon.toFixed(1)}°E
        </text>,
      );
  }
  for (let lat = 19; lat <= 24; lat += GRATICULE_DEG) {
    const [, y] = proj.project(103, lat);
    if (y < 0 || y > proj.height) continue;
    lines.push(<line x1={0} y1={y} x2={proj.width} y2={y} class="map-grid" />);
    if (Math.abs(lat - Math.round(lat * 2) / 2) < 1e-6)
      lines.push(
        <text x={4} y={y - 3} class="map-grid-label">
          {lat.toFixed(1)}°N
        </text>,
      );
  }
  return <g>{lines}</g>;
}

/** Slippy-map tiles covering the view at the zoom whose tile pixels are closest to SVG units. */
function Tiles({ proj, template }: { proj: Projection; template: string }) {
  const z = Math.max(0, Math.min(18, Math.round(Math.log2(proj.k / 256))));
  const n = 2 ** z;
  const size = proj.k / n;
  const first = (o: number) => Math.max(0, Math.floor((-o / proj.k) * n));
  const last = (o: number, extent: number) => Math.min(n - 1, Math.floor(((extent - o) / proj.k) * n));
  const tiles = [];
  for (let tx = first(proj.offX); tx <= last(proj.offX, proj.width); tx++) {
    for (let ty = first(proj.offY); ty <= last(proj.offY, proj.height); ty++) {
      const href = template.replace('{z}', String(z)).replace('{x}', String(tx)).replace('{y}', String(ty));
      tiles.push(<image href={href} x={proj.offX + tx * size} y={proj.offY + ty * size} width={size} height={size} />);
    }
  }
  return <g class="map-tiles">{tiles}</g>;
}
