// How the outbox's batches and drop reports go on the wire.
import { encodeBatchBody, type BatchCompression } from '../../common/proto.js';
import { laneToProto } from '../../common/lanes.js';
import type { DropReportOut } from '../outbox/types.js';
import type { EdgeMessage } from '../../proto/generated/ioc/edgelink/v1/EdgeMessage.js';

/** The batch body: gzip when preferred and it saves enough, else the records as they are. */
export function batchBody(records: Uint8Array[], preferred: BatchCompression): { body: Buffer; compression: BatchCompression } {
  const raw = encodeBatchBody(records, 'COMPRESSION_NONE');
  if (preferred === 'COMPRESSION_NONE' || raw.length < 256) return { body: raw, compression: 'COMPRESSION_NONE' };
  const gz = encodeBatchBody(records, 'COMPRESSION_GZIP');
  // JPEG thumbnails do not shrink; only pay the decompression when it saves ≥ 10 %.
  return gz.length < raw.length * 0.9 ? { body: gz, compression: 'COMPRESSION_GZIP' } : { body: raw, compression: 'COMPRESSION_NONE' };
}

export function dropsMessage(report: DropReportOut): EdgeMessage {
  return {
    drops: {
      report_id: report.id,
      ranges: report.ranges.map((r) => ({
        lane: laneToProto(r.lane),
        first_seq: r.firstSeq,
        last_seq: r.lastSeq,
        reason: r.reason,
        first_edge_time_ms: r.firstEdgeTimeMs,
        last_edge_time_ms: r.lastEdgeTimeMs,
      })),
    },
  };
}
