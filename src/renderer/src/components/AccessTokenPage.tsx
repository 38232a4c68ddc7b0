/**
 * What a screen shows when the station keeps it out for want of its access
 * token: that the network is fine and the token is what is missing (or not
 * this station's), how to open the page with it, and a field to paste it.
 * Without this the page only said "connection to the station lost", and
 * people went looking for a cable.
 */
import { useState, type FormEvent } from 'react';

export function AccessTokenPage({ refused, onToken, origin }: { refused: boolean; onToken: (token: string) => void; origin: string }) {
  const [token, setToken] = useState('');
  const [empty, setEmpty] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const t = token.trim();
    setEmpty(t === '');
    if (t) onToken(t);
  };
  return (
    <div className="page" data-testid="access-token">
      <section className="panel" aria-labelledby="access-token-title">
        <h2 id="access-token-title">This station needs its access token</h2>
        {refused ? (
          <p className="form-error" data-testid="access-token-refused">
            The access token this screen has was not accepted: it is not this station&apos;s, or it was changed. Paste the current one below.
          </p>
        ) : (
          <p>The station is reachable, but it is open to other PCs on the network, so every screen must show its access token once.</p>
        )}
        <p>
          Open the page with the token in its address:{' '}
          <span className="mono" data-testid="access-token-address">
            {origin}/?token=…
          </span>{' '}
          — or paste the token here. IT set it as <span className="mono">server.token</span> in the station&apos;s configuration file, and can give you the
          address with it.
        </p>
        <form className="field-row" onSubmit={submit}>
          <label className="field grow">
            access token
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              onChange={(e) => setToken(e.target.value)}
              data-testid="access-token-input"
            />
          </label>
          <button type="submit" className="button button-primary" data-testid="access-token-submit">
            Connect
          </button>
        </form>
        {empty && (
          <p className="form-error" role="alert" data-testid="access-token-empty">
            Paste the access token first.
          </p>
        )}
        <p className="muted small">The token is kept for this browser tab only: a new tab asks for it again unless opened with the address above.</p>
      </section>
    </div>
  );
}
