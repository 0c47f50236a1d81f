import t from 'tap';
import { bottomCentre, crossing, inZone, pointInPolygon } from '../../../edge/camera/zones.js';

const square = [
  [0.2, 0.2],
  [0.6, 0.2],
  [0.6, 0.6],
  [0.2, 0.6],
] as const;
const triangle = [
  [0.5, 0.1],
  [0.9, 0.9],
  [0.1, 0.9],
] as const;

t.test('point in polygon', async (t) => {
  t.ok(pointInPolygon([0.4, 0.4], square));
  t.notOk(pointInPolygon([0.7, 0.4], square));
  t.notOk(pointInPolygon([0.4, 0.1], square));
  t.ok(pointInPolygon([0.5, 0.5], triangle));
  t.notOk(pointInPolygon([0.15, 0.3], triangle), 'outside the slanted edge');
});

t.test('an object is in a zone by its feet (bottom-centre), not its middle', async (t) => {
  const box = { x: 0.3, y: 0.0, w: 0.1, h: 0.5 }; // centre (0.35, 0.25) inside, feet (0.35, 0.5) inside
  t.same(bottomCentre(box), [0.35, 0.5]);
  t.ok(inZone(box, square));
  const tall = { x: 0.3, y: 0.3, w: 0.1, h: 0.5 }; // middle inside, feet at y 0.8: outside
  t.notOk(inZone(tall, square), 'head in the zone, standing outside it');
  const head = { x: 0.3, y: 0.05, w: 0.1, h: 0.2 }; // feet at 0.25 inside, middle 0.15 outside
  t.ok(inZone(head, square));
});

t.test('line crossing and direction', async (t) => {
  const a = [0, 0.6] as const,
    b = [1, 0.6] as const;
  t.equal(crossing([0.5, 0.5], [0.5, 0.7], a, b), 'in', 'moving down across a left-to-right line is in');
  t.equal(crossing([0.5, 0.7], [0.5, 0.5], a, b), 'out');
  t.equal(crossing([0.5, 0.5], [0.5, 0.55], a, b), undefined, 'not reaching the line');
  const short = [
    [0.4, 0.6],
    [0.6, 0.6],
  ] as const;
  t.equal(crossing([0.8, 0.5], [0.8, 0.7], short[0], short[1]), undefined, 'passing beyond the end of the line');
  t.equal(crossing([0.5, 0.5], [0.5, 0.7], short[1], short[0]), 'out', 'swapping the ends flips the direction');
});
