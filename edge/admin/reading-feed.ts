// Fans the sensor pipeline's reading hook out to every `edgectl sensors tail` that is listening.
import type { SensorReading } from '../sensors/readings.js';

export class ReadingFeed {
  private readonly listeners = new Set<(reading: SensorReading) => void>();

  publish(reading: SensorReading): void {
    for (const listener of this.listeners) listener(reading);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (reading: SensorReading) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
