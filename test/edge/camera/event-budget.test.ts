import t from 'tap';
import { ObjectEventBudget } from '../../../edge/camera/event-budget.js';

t.test('a sixth of the hourly budget at once, then the hourly rate', async (t) => {
  const budget = new ObjectEventBudget(60);
  let sent = 0;
  for (let i = 0; i < 100; i++) if (budget.take(0)) sent++;
  t.equal(sent, 10, 'a burst of 10 out of 60 an hour');
  t.notOk(budget.take(30_000), 'half a minute later: not yet');
  t.ok(budget.take(60_000), 'one a minute after that');
  let hour = 0;
  for (let ms = 60_000; ms <= 3_660_000; ms += 1_000) if (budget.take(ms)) hour++;
  t.ok(hour >= 59 && hour <= 61, `about 60 over the next hour (${hour})`);
});

t.test('refills up to its capacity only; zero sends nothing; time going back is ignored', async (t) => {
  const budget = new ObjectEventBudget(60);
  t.equal(budget.available(0), 10);
  for (let i = 0; i < 10; i++) budget.take(0);
  t.equal(budget.available(86_400_000), 10, 'a quiet day does not bank more than the burst');
  t.equal(budget.available(1_000), 10, 'a clock going back takes nothing away');
  const none = new ObjectEventBudget(0);
  t.notOk(none.take(0) || none.take(3_600_000));
});
