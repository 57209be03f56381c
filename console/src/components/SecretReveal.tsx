/**
 * A secret shown once (a new API key, a webhook signing secret): what it is, the value to copy,
 * a copy button and the warning that it is not shown again. Used by the keys and webhooks pages.
 */
import { useState } from 'react';

export function SecretReveal({ label, secret, onDismiss }: { label: string; secret: string; onDismiss?: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div role="status" className="success secret-reveal">
      <p>
        {label}: <code>{secret}</code>
      </p>
      <p className="row wrap">
        <span>Copy it now, it is not shown again.</span>
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        {onDismiss && (
          <button type="button" className="link" onClick={onDismiss}>
            Done
          </button>
        )}
      </p>
    </div>
  );
}
