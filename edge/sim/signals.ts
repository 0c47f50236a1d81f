// Signal models of the simulated sensors: plausible readings for the districts' instruments.
// Deterministic for a given seed, so a test or a demo run can be replayed.

export type Scenario = 'normal' | 'flood' | 'storm';

export interface SignalContext {
  /** Local hour of day 0..24 (Asia/Ho_Chi_Minh). */
  hour: number;
  /** Seconds since the simulation started. */
  elapsedS: number;
  /** Seconds between readings. */
  intervalS: number;
  random: () => number;
  scenario: Scenario;
}

export type SignalModel = (ctx: SignalContext) => number;

const gaussian = (random: () => number) => {
  const u = Math.max(1e-9, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
};

/** Highland diurnal temperature: coolest before dawn (~05:00), warmest mid-afternoon (~14:00). */
export const temperature: SignalModel = ({ hour, random }) => 21 + 6 * Math.sin(((hour - 8) / 24) * 2 * Math.PI) + 0.3 * gaussian(random);

export const humidity: SignalModel = ({ hour, random }) =>
  Math.min(100, Math.max(20, 75 - 15 * Math.sin(((hour - 8) / 24) * 2 * Math.PI) + 2 * gaussian(random)));

/** PM2.5 with morning and evening cooking/traffic peaks. */
export const pm25: SignalModel = ({ hour, random }) =>
  Math.max(2, 22 + 18 * Math.exp(-((hour - 7) ** 2) / 2) + 25 * Math.exp(-((hour - 19) ** 2) / 3) + 4 * gaussian(random));

/**
 * Rain per reading interval (mm). "storm": a cloudburst that crosses 50 mm/h within about a
 * minute of readings, then eases — the flash-flood case the IOC must see at once.
 */
export function rainfall(): SignalModel {
  let shower = 0;
  return ({ elapsedS, intervalS, random, scenario }) => {
    if (scenario === 'storm') {
      const intensity = elapsedS < 90 ? 2.2 : Math.max(0, 2.2 - (elapsedS - 90) / 60);
      return round(Math.max(0, (intensity * intervalS) / 2 + 0.2 * gaussian(random)), 0.2);
    }
    if (shower <= 0 && random() < 0.01) shower = 30 + random() * 120;
    if (shower <= 0) return 0;
    shower -= intervalS;
    return round(Math.max(0, 0.1 + 0.3 * random()), 0.2);
  };
}

/** River level (m): slow diurnal swell; "flood": rises past alert level 2 within a minute, then recedes. */
export function riverLevel(base: number): SignalModel {
  return ({ elapsedS, hour, random, scenario }) => {
    const calm = base + 0.15 * Math.sin((hour / 24) * 2 * Math.PI) + 0.02 * gaussian(random);
    if (scenario !== 'flood') return calm;
    const rise = elapsedS < 60 ? (elapsedS / 60) * 2.4 : Math.max(0, 2.4 - (elapsedS - 60) / 120);
    return calm + rise;
  };
}

function round(value: number, step: number): number {
  return Math.round(value / step) * step;
}

/** The model for a sensor type and metric; undefined for types this simulator does not know. */
export function modelFor(sensorType: string, metric: string): SignalModel | undefined {
  switch (`${sensorType}/${metric}`) {
    case 'temperature/temperature':
      return temperature;
    case 'temperature/humidity':
      return humidity;
    case 'air_quality/pm25':
      return pm25;
    case 'rain_gauge/rainfall':
      return rainfall();
    case 'water_level/level':
      return riverLevel(2.6);
    default:
      return undefined;
  }
}
