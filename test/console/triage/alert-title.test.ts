// A citizen report's alert carries its category code (title prefix and rule); operators read it
// in their language. Other alerts are shown as the coordinator titled them.
import t from 'tap';
import { translator } from '../../../console/src/i18n/i18n.js';
import { alertCategory, alertTitle } from '../../../console/src/triage/alert-types.js';

const vi = translator('vi');
const en = translator('en');

t.test("report alerts: the category in the operator's language", async (t) => {
  const alert: Parameters<typeof alertTitle>[0] = { kind: 'citizen_report', rule: 'traffic_accident', title: 'traffic_accident: Xe tải lật trên đèo Tủa Chùa' };
  t.equal(alertTitle(alert, vi), 'Tai nạn giao thông: Xe tải lật trên đèo Tủa Chùa');
  t.equal(alertTitle(alert, en), 'Traffic accident: Xe tải lật trên đèo Tủa Chùa');
  t.equal(alertCategory(alert, vi), 'Tai nạn giao thông');
});

t.test('everything else is left as it is', async (t) => {
  t.equal(alertTitle({ kind: 'alarm', rule: 'river-alert-2', title: 'river-alert-2: above 4.5 m' }, vi), 'river-alert-2: above 4.5 m');
  t.equal(alertCategory({ kind: 'alarm', rule: 'river-alert-2' }, vi), 'river-alert-2');
  const unknown: Parameters<typeof alertTitle>[0] = { kind: 'citizen_report', rule: 'volcano', title: 'volcano: smoke' };
  t.equal(alertTitle(unknown, vi), 'volcano: smoke', 'a category the console has no word for stays a code');
  t.equal(alertTitle({ kind: 'citizen_report', rule: null, title: 'no category' }, vi), 'no category');
});
