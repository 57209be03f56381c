/** API keys: list, create (the key is shown once), revoke. */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { SecretReveal } from '../../components/SecretReveal';
import type { ApiKey } from '../../lib/types';
import { createApiKey, revokeApiKey, useApiKeys } from './api';

export function KeysPage() {
  const keys = useApiKeys();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    try {
      setCreated(await createApiKey({ name: String(form.get('name')), role: String(form.get('role')) }));
      event.currentTarget?.reset();
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (e) {
      setError(e);
    }
  }
  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke "${key.name}"? Programs using it stop working at once.`)) return;
    setError(null);
    try {
      await revokeApiKey(key.id);
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (e) {
      setError(e);
    }
  }
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <form onSubmit={create} className="row wrap card">
        <label>
          Name <input name="name" required maxLength={200} />
        </label>
        <label>
          Role{' '}
          <select name="role" defaultValue="booking">
            <option value="manager">manager</option>
            <option value="booking">booking</option>
            <option value="support">support</option>
            <option value="public">public (booking page)</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
      {created?.apiKey && <SecretReveal label={`Key "${created.name}" (${created.role})`} secret={created.apiKey} onDismiss={() => setCreated(null)} />}
      <ProblemView error={error ?? keys.error} />
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Starts with</th>
            <th scope="col">Created</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.data.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>{k.role}</td>
              <td>
                <code>{k.prefix ?? ''}</code>
              </td>
              <td>{k.createdAt?.slice(0, 16).replace('T', ' ')}</td>
              <td>{k.revokedAt ? `revoked ${k.revokedAt.slice(0, 10)}` : 'active'}</td>
              <td>
                {!k.revokedAt && (
                  <button type="button" className="danger" onClick={() => void revoke(k)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
