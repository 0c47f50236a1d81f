// Refuses sensor passwords that anyone could guess: empty, short, a published placeholder
// (`<id>-change-me` shipped in early configs), a common word, or the username itself.
import type { SensorConfig } from '../../common/config/edge-schema.js';

export const MIN_SENSOR_SECRET_LENGTH = 12;
const PLACEHOLDERS = ['change-me', 'changeme', 'change_me', 'password', 'passwd', 'default', 'admin', '123456', 'qwerty'];

/** Why `password` is weak for `username`, or undefined when it is acceptable. */
export function weakSecretReason(username: string, password: string): string | undefined {
  const secret = password.trim();
  if (secret === '') return 'empty';
  const lower = secret.toLowerCase();
  if (lower === username.toLowerCase()) return 'equals the username';
  const word = PLACEHOLDERS.find((p) => lower.includes(p));
  if (word) return `contains "${word}"`;
  if (secret.length < MIN_SENSOR_SECRET_LENGTH) return `shorter than ${MIN_SENSOR_SECRET_LENGTH} characters`;
  if (new Set(secret).size < 5) return 'too few different characters';
  return undefined;
}

/** One config issue per sensor with a weak password, in the style of the schema's messages. */
export function weakSensorSecrets(sensors: readonly SensorConfig[]): string[] {
  const issues: string[] = [];
  sensors.forEach((sensor, i) => {
    const reason = weakSecretReason(sensor.credentials.username, sensor.credentials.password);
    if (reason) issues.push(`sensors[${i}].credentials.password: sensor ${sensor.id} has a default/empty password (${reason}); run edgectl provision`);
  });
  return issues;
}
