// Open311 GeoReport v2 shapes: service list, service requests and the error array, as JSON or
// XML (roots <services>, <service_requests>, <errors>). Personal data never appears here: the
// submitter's contact fields are not even stored, and the report text is not republished.
import { XML_DECLARATION, el, textEl } from '../../common/xml.js';

export type Open311Format = 'json' | 'xml';

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: false;
  type: 'realtime';
  keywords: string;
  group: string;
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  agency_responsible: string | null;
  requested_datetime: string;
  updated_datetime: string;
  lat: number;
  long: number;
}

export interface Open311Created {
  service_request_id: string;
  service_notice: string;
  account_id: null;
}

export interface Open311Error {
  code: number;
  description: string;
}

/** W3C datetime with an explicit offset, as GeoReport examples use. */
export function w3cTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

export function serviceName(code: string): string {
  const words = code.replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fields(o: object): string[] {
  return Object.entries(o).map(([k, v]) => (v === null ? `<${k}/>` : textEl(k, v as string | number)!));
}

/** A GeoReport body in the format asked for: JSON array, or XML under `root`/`item`. */
export function render(
  format: Open311Format,
  root: 'services' | 'service_requests' | 'errors',
  item: 'service' | 'request' | 'error',
  rows: object[],
): { body: string; contentType: string } {
  if (format === 'json') return { body: JSON.stringify(rows), contentType: 'application/json; charset=utf-8' };
  return {
    body: `${
      XML_DECLARATION +
      el(
        root,
        rows.map((r) => el(item, fields(r))),
      )
    }\n`,
    contentType: 'text/xml; charset=utf-8',
  };
}
