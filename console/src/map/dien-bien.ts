// A simplified outline of Điện Biên province and its district seats, authored by hand from
// approximate coordinates (about ±5 km): enough to place the edge sites at a glance without any
// tile server. Not for navigation. Coordinates are [lon, lat] as in GeoJSON.
export interface Place {
  name: string;
  lon: number;
  lat: number;
}

export const PROVINCE_NAME = 'Điện Biên';

/** Clockwise from the westernmost point of Vietnam (A Pa Chải, where Vietnam, Laos and China meet). */
export const PROVINCE_OUTLINE: [number, number][] = [
  [102.144, 22.399],
  [102.22, 22.45],
  [102.3, 22.465],
  [102.39, 22.43],
  [102.45, 22.37],
  [102.55, 22.31],
  [102.66, 22.26],
  [102.78, 22.2],
  [102.9, 22.14],
  [103.02, 22.12],
  [103.12, 22.1],
  [103.2, 22.05],
  [103.3, 22.04],
  [103.4, 22.0],
  [103.5, 21.94],
  [103.57, 21.84],
  [103.6, 21.72],
  [103.56, 21.6],
  [103.5, 21.48],
  [103.44, 21.36],
  [103.38, 21.24],
  [103.33, 21.13],
  [103.25, 21.04],
  [103.16, 20.98],
  [103.07, 21.0],
  [102.99, 21.07],
  [102.92, 21.16],
  [102.87, 21.26],
  [102.88, 21.36],
  [102.84, 21.46],
  [102.78, 21.56],
  [102.7, 21.65],
  [102.6, 21.74],
  [102.5, 21.83],
  [102.41, 21.92],
  [102.33, 22.02],
  [102.26, 22.12],
  [102.2, 22.23],
  [102.16, 22.32],
];

/** Seats of the province's districts and towns (huyện lỵ / thị xã / thành phố). */
export const DISTRICT_SEATS: Place[] = [
  { name: 'TP. Điện Biên Phủ', lon: 103.017, lat: 21.386 },
  { name: 'TX. Mường Lay', lon: 103.15, lat: 22.04 },
  { name: 'Mường Nhé', lon: 102.467, lat: 22.183 },
  { name: 'Nậm Pồ', lon: 102.62, lat: 21.93 },
  { name: 'Mường Chà', lon: 103.06, lat: 21.79 },
  { name: 'Tủa Chùa', lon: 103.346, lat: 21.86 },
  { name: 'Tuần Giáo', lon: 103.42, lat: 21.59 },
  { name: 'Mường Ảng', lon: 103.22, lat: 21.52 },
  { name: 'Điện Biên', lon: 102.98, lat: 21.27 },
  { name: 'Điện Biên Đông', lon: 103.24, lat: 21.253 },
];

/** Neighbours, labelled outside the outline so the border reads at a glance. */
export const NEIGHBOUR_LABELS: Place[] = [
  { name: 'LÀO / LAOS', lon: 102.45, lat: 21.45 },
  { name: 'TRUNG QUỐC / CHINA', lon: 102.55, lat: 22.52 },
  { name: 'Lai Châu', lon: 103.3, lat: 22.2 },
  { name: 'Sơn La', lon: 103.62, lat: 21.2 },
];
