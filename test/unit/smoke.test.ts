import t from 'tap';
import { validateInstanceName } from '../../kernel/names.js';
t.test('smoke', async (t) => { t.equal(validateInstanceName('ab'), 'ab'); });
