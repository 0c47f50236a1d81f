// Web Mercator fitted to a box of the screen: the same projection as slippy-map tiles, so an
// optional IOC tile server lines up with the drawn outline and markers.
export interface Bounds {
  west: number;
  south: number;
  east: number;
  north: number;
}

export interface Projection {
  width: number;
  height: number;
  /** [x, y] in the SVG's user units. */
  project(lon: number, lat: number): [number, number];
  /** SVG units per whole Mercator world (0..1), and where the world's origin lands. */
  k: number;
  offX: number;
  offY: number;
}

const mercX = (lon: number) => (lon + 180) / 360;
const mercY = (lat: number) => {
  const s = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
};

export function fitProjection(bounds: Bounds, width: number, height: number, padding = 16): Projection {
  const x0 = mercX(bounds.west);
  const x1 = mercX(bounds.east);
  const y0 = mercY(bounds.north);
  const y1 = mercY(bounds.south);
  const k = Math.min((width - 2 * padding) / (x1 - x0), (height - 2 * padding) / (y1 - y0));
  const offX = (width - k * (x1 - x0)) / 2 - k * x0;
  const offY = (height - k * (y1 - y0)) / 2 - k * y0;
  return {
    width,
    height,
    project: (lon, lat) => [offX + k * mercX(lon), offY + k * mercY(lat)],
    k,
    offX,
    offY,
  };
}

export function boundsOf(points: { lon: number; lat: number }[], marginDeg = 0.08): Bounds {
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  return {
    west: Math.min(...lons) - marginDeg,
    east: Math.max(...lons) + marginDeg,
    south: Math.min(...lats) - marginDeg,
    north: Math.max(...lats) + marginDeg,
  };
}
