import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { api, ApiError, storedKey, storeKey, type Role } from './api';
import { Overview } from './pages/overview';
import { Customers } from './pages/customers';
import { Models } from './pages/models';
import { Campaigns } from './pages/campaigns';
import './styles.css';

const PAGES = [
  { path: 'overview', title: 'Overview' },
  { path: 'customers', title: 'Customers' },
  { path: 'models', title: 'Models' },
  { path: 'campaigns', title: 'Campaigns' },
] as const;
type PagePath = (typeof PAGES)[number]['path'];

/** The page and its argument from the location hash: `#/models/v2026...` -> ['models', 'v2026...']. */
function route(): [PagePath, string | undefined] {
  const [page, ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  const known = PAGES.find((candidate) => candidate.path === page);
  return [known?.path ?? 'overview', rest.length ? decodeURIComponent(rest.join('/')) : undefined];
}

function useRoute(): [PagePath, string | undefined] {
  const [current, setCurrent] = useState(route);
  useEffect(() => {
    const changed = () => setCurrent(route());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return current;
}

interface Identity {
  role: Role;
  prefix: string;
}

function SignIn({ onSignedIn }: { onSignedIn: (identity: Identity) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const identity = await api<Identity>('/v1/console/me', { key: key.trim() });
      storeKey(key.trim());
      onSignedIn(identity);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 403
          ? `This key may not use the console: ${failure.message}`
          : (failure as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-label="sign in">
        <h1>CVP console</h1>
        <p>Sign in with an API key (reader, marketer or admin). It is kept in this tab only.</p>
        <label>
          API key
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            value={key}
            onChange={(event) => setKey(event.target.value)}
            placeholder="cvp_..."
          />
        </label>
        {error && (
          <p className="problem" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function App() {
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [checking, setChecking] = useState(storedKey() !== null);
  const [page, argument] = useRoute();

  useEffect(() => {
    if (!storedKey()) return;
    api<Identity>('/v1/console/me')
      .then(setIdentity)
      .catch(() => storeKey(null))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p className="loading">Checking the key…</p>;
  if (!identity) return <SignIn onSignedIn={setIdentity} />;
  const signOut = () => {
    storeKey(null);
    setIdentity(null);
  };
  return (
    <>
      <header>
        <strong>CVP console</strong>
        <nav>
          {PAGES.map(({ path, title }) => (
            <a key={path} href={`#/${path}`} className={page === path ? 'active' : undefined}>
              {title}
            </a>
          ))}
        </nav>
        <span className="who" data-testid="who">
          {identity.prefix}… · {identity.role}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {page === 'overview' && <Overview />}
        {page === 'customers' && <Customers customerId={argument} />}
        {page === 'models' && <Models version={argument} role={identity.role} />}
        {page === 'campaigns' && <Campaigns campaignId={argument} role={identity.role} />}
      </main>
    </>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
