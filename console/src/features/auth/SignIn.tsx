import { useState, type FormEvent } from 'react';
import { ApiProblem } from '../../lib/api-client';
import { signIn } from './auth';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiProblem && e.status === 401 ? 'This key is not valid.' : (e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="signin" id="main">
      <h1>Booking console</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="api-key">Company API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />
        <p className="hint">The key stays in this browser tab only (session storage) and is sent as a bearer token.</p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
