// The admin wire format: lines split across chunks, oversized lines refused, request shapes checked.
import t from 'tap';
import { LineDecoder, encodeMessage, requestProblem } from '../../../edge/admin/protocol.js';

t.test('lines arrive whole however the stream is chunked', async (t) => {
  const d = new LineDecoder();
  t.same(d.push('{"id":1,"me'), []);
  t.same(d.push('thod":"status"}\n{"id":2'), ['{"id":1,"method":"status"}']);
  t.same(d.push(',"method":"x"}\n\n'), ['{"id":2,"method":"x"}'], 'blank lines are ignored');
  t.equal(encodeMessage({ id: 3, status: 'ok', data: null }), '{"id":3,"status":"ok","data":null}\n');
});

t.test('a line longer than the limit is refused, not buffered', async (t) => {
  const d = new LineDecoder(16);
  t.throws(() => d.push('x'.repeat(17)), RangeError);
  t.same(d.push('{"ok":1}\n'), ['{"ok":1}'], 'the decoder recovers for the next line');
});

t.test('request shape problems are named', async (t) => {
  t.equal(requestProblem({ id: 1, method: 'status' }), undefined);
  t.equal(requestProblem({ id: 'a', method: 'status', params: {} }), undefined);
  t.match(requestProblem([1]), /JSON object/);
  t.match(requestProblem({ method: 'x' }), /"id"/);
  t.match(requestProblem({ id: 1 }), /"method"/);
  t.match(requestProblem({ id: 1, method: 'x', params: [1] }), /"params"/);
});
