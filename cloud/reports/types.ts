// A citizen field report: what a person saw, where, and up to a few photos (re-encoded, no
// metadata). Nothing that identifies the sender is kept: no address, no device data.
export interface ReportImage {
  index: number;
  contentType: 'image/jpeg';
  width: number;
  height: number;
  bytes: number;
}

export interface CitizenReport {
  /** ULID. */
  id: string;
  createdAtMs: number;
  category: string;
  text: string;
  location: { lat: number; lon: number };
  /** Nearest configured site within reach, else null. */
  site: string | null;
  images: ReportImage[];
  alertId: string | null;
  /** 'anonymous' or the API token's name (a commune officer's app). */
  submittedBy: string;
}

export interface ReportQuery {
  limit: number;
  cursor?: string;
  category?: string[];
}
