// The statistics of one aggregation window of a sensor metric: made on the edge, stored and served
// by the coordinator, drawn by the console. One shape for all three.
export interface WindowStats {
  startMs: number;
  endMs: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
  last: number;
}
