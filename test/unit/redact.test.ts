// Redaction of secrets in messages: URL passwords as kubectl shows them, and registered secrets.
import test from 'ava';
import { redact, redactUrl, registerSecret } from '../../src/redact.ts';

test('a password in a URL is shown as user:***', (t) => {
  t.is(redactUrl('https://admin:hunter2@10.0.0.1:6443/api'), 'https://admin:***@10.0.0.1:6443/api');
  t.is(redact('cannot reach https://admin:p%40ss@host:443 (ECONNREFUSED)'), 'cannot reach https://admin:***@host:443 (ECONNREFUSED)');
  t.is(redactUrl('https://10.0.0.1:6443/api'), 'https://10.0.0.1:6443/api');
  t.is(redactUrl('https://user@host/'), 'https://user@host/', 'no password, nothing to hide');
});

test('registered secrets are masked everywhere in a text; short values are not registered', (t) => {
  registerSecret('eyJhbGciOiJSUzI1NiJ9.secret-part');
  registerSecret('short');
  t.is(redact('token eyJhbGciOiJSUzI1NiJ9.secret-part was refused; eyJhbGciOiJSUzI1NiJ9.secret-part'), 'token *** was refused; ***');
  t.is(redact('a short word'), 'a short word');
});
