/**
 * The station's UI: a top bar (station, model, line state, who is signed in),
 * the alarm banner on every page, and the pages. It works the same over the
 * Electron preload and over the station's WebSocket; a technician's change
 * asks for the PIN first when needed.
 */
import { lazy, Suspense, useCallback, useState, useSyncExternalStore } from 'react';
import type { LineSightApi } from '../../shared/contract';
import type { SessionInfo } from '../../shared/session';
import type { StationStatus } from '../../shared/status';
import { StationContext, type Station } from './api/station-context';
import { useHashRoute } from './api/use-hash-route';
import { useSession } from './api/use-session';
import { useStationStatus } from './api/use-station';
import type { ConnectionState, StationConnection } from './api/ws-api';
import { AccessTokenPage } from './components/AccessTokenPage';
import { AlarmBanner } from './components/AlarmBanner';
import { SessionChip } from './components/SessionChip';
import { SignInDialog } from './components/SignInDialog';
import { useAlarmSound } from './components/use-alarm-sound';
import { HistoryPage } from './pages/HistoryPage';
import { LivePage } from './pages/LivePage';
import { ModelsPage } from './pages/ModelsPage';
import { NOT_IN_FORCE, RecipesPage } from './pages/RecipesPage';
import { ThresholdsPage } from './pages/ThresholdsPage';

// The charts (uPlot) load with the Diagnostics page, not before: the live view starts sooner.
const DiagnosticsPage = lazy(() => import('./pages/DiagnosticsPage').then((m) => ({ default: m.DiagnosticsPage })));

const BenchmarkPage = lazy(() => import('./pages/BenchmarkPage').then((m) => ({ default: m.BenchmarkPage })));
const TeachPage = lazy(() => import('./pages/TeachPage').then((m) => ({ default: m.TeachPage })));

const PAGES = ['live', 'thresholds', 'diagnostics', 'models', 'recipes', 'teach', 'history', 'benchmark'] as const;
type PageName = (typeof PAGES)[number];
const PAGE_TITLES: Record<PageName, string> = {
  live: 'Live',
  thresholds: 'Thresholds',
  diagnostics: 'Diagnostics',
  models: 'Models',
  recipes: 'Recipes',
  teach: 'Teach',
  history: 'History',
  benchmark: 'Benchmark',
};

export interface AppProps {
  readonly api: LineSightApi;
  readonly transport: 'ipc' | 'websocket';
  readonly connection?: StationConnection;
}

const ALWAYS_OPEN = { state: 'open' as const, onConnection: () => () => {} };

/** The connection's state as it is now, not as it was at the first render (the socket may open in between). */
function useConnection(connection: AppProps['connection']): ConnectionState {
  const c = connection ?? ALWAYS_OPEN;
  return useSyncExternalStore(
    (onChange) => c.onConnection(() => onChange()),
    () => c.state,
  );
}

/** The operator's kiosk view: the whole screen for the line. */
function toggleFullScreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
  else void document.documentElement.requestFullscreen().catch(() => {});
}

/**
 * The recipe in force beside the model (issue 17): a switch under way, or a recipe changed by hand since its switch.
 * Under 1280 px only its index and a mark (the bar stays one row at 1024 px); the whole in its title.
 */
function RecipeInForce({ recipe }: { recipe: NonNullable<StationStatus['recipe']> }) {
  if (recipe.switching !== null) {
    return (
      <span className="recipe-switching" data-testid="status-recipe" title={`switching to recipe "${recipe.switching}"…`}>
        <span className="status-long">switching to recipe {recipe.switching}…</span>
        <span className="status-short">recipe …</span>
      </span>
    );
  }
  const words = `recipe ${recipe.index} "${recipe.name}"${recipe.inForce ? ' in force' : `: ${NOT_IN_FORCE}`}`;
  return (
    <span className={recipe.inForce ? '' : 'recipe-changed'} data-testid="status-recipe" data-in-force={recipe.inForce} title={words}>
      recipe {recipe.index}
      <span className="status-long">
        {' '}
        {recipe.name}
        {recipe.inForce ? '' : ' (changed by hand)'}
      </span>
      {!recipe.inForce && <span className="status-short"> ⚠</span>}
    </span>
  );
}

interface SignInRequest {
  readonly reason?: string;
  readonly resolve: (ok: boolean) => void;
}

export function App({ api, transport, connection }: AppProps) {
  const link = useConnection(connection);
  const { status, error } = useStationStatus(api, link);
  // The station is there but wants its access token: say so, not "connection lost".
  const tokenNeeded = link === 'needs-token' || link === 'token-refused';
  const [session, setSession] = useSession(api, link);
  const route = useHashRoute(PAGES, 'live');
  const [signIn, setSignIn] = useState<SignInRequest | null>(null);
  // The session whose sign-out notice was dismissed: each session event is a new object.
  const [dismissed, setDismissed] = useState<SessionInfo | null>(null);
  const sound = useAlarmSound(api);
  // Tell the person when the station signed them out (idle, connection lost).
  const notice = session && session !== dismissed && session.role === 'operator' && session.endedBecause ? `Signed out: ${session.endedBecause}.` : null;

  const technician = session?.role === 'technician';
  const asTechnician = useCallback(
    (reason?: string): Promise<boolean> => {
      if (technician) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => setSignIn({ resolve, ...(reason !== undefined ? { reason } : {}) }));
    },
    [technician],
  );

  const signOut = (): void => void api.signOut({}).then(setSession, () => {});

  const station: Station | null = status && { api, transport, status, session, connection: link, asTechnician: () => asTechnician('to make this change') };

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">LineSight</div>
        <nav className="tabs" aria-label="pages">
          {PAGES.map((p) => (
            <a
              key={p}
              href={`#/${p}`}
              className={`tab ${p === route ? 'tab-active' : ''}`}
              aria-current={p === route ? 'page' : undefined}
              data-testid={`tab-${p}`}
            >
              {PAGE_TITLES[p]}
            </a>
          ))}
        </nav>
        <div className="spacer" />
        <SessionChip session={session} onSignIn={() => void asTechnician()} onSignOut={signOut} />
      </header>
      {status && (
        <div className="statusbar">
          <span>{status.station.name}</span>
          <span>
            model {status.model.name} {status.model.version} on {status.model.provider.toUpperCase()}
          </span>
          {status.recipe && <RecipeInForce recipe={status.recipe} />}
          <span className={`source-state source-${status.source.state}`}>line {status.source.state}</span>
          <span className="spacer" />
          <button type="button" className="button button-quiet sound" onClick={toggleFullScreen} data-testid="fullscreen">
            full screen
          </button>
          <button
            type="button"
            className="button button-quiet sound"
            onClick={sound.toggle}
            aria-pressed={sound.on}
            title="alarm sound on this screen"
            data-testid="sound"
          >
            alarm sound {sound.on ? 'on' : 'off'}
          </button>
          <span className="transport" title={`connected over ${transport}`}>
            {transport === 'ipc' ? 'desktop' : 'browser'}
          </span>
        </div>
      )}
      {status && <AlarmBanner alarms={status.alarms} failSafe={status.failSafe} connectionLost={link === 'closed'} showDetails={route !== 'diagnostics'} />}
      {error && !status && !tokenNeeded && <div className="alarm">Cannot reach the station: {error}</div>}
      {/* The station's last problem is a technician's detail ("frame 12 (…): decode failed: …"): on Diagnostics, not over Live. */}
      {notice && (
        <div className="toast" role="status" data-testid="notice">
          {notice}
          <button type="button" className="button button-quiet" onClick={() => setDismissed(session)} aria-label="dismiss">
            ✕
          </button>
        </div>
      )}
      {tokenNeeded ? (
        <AccessTokenPage refused={link === 'token-refused'} origin={window.location.origin} onToken={(token) => connection?.offerToken?.(token)} />
      ) : station ? (
        <StationContext.Provider value={station}>
          {route === 'live' && <LivePage />}
          {route === 'thresholds' && <ThresholdsPage />}
          {route === 'diagnostics' && (
            <Suspense fallback={<div className="frame-empty">loading diagnostics…</div>}>
              <DiagnosticsPage />
            </Suspense>
          )}
          {route === 'models' && <ModelsPage />}
          {route === 'recipes' && <RecipesPage />}
          {route === 'teach' && (
            <Suspense fallback={<div className="frame-empty">loading the Teach page…</div>}>
              <TeachPage />
            </Suspense>
          )}
          {route === 'history' && <HistoryPage />}
          {route === 'benchmark' && (
            <Suspense fallback={<div className="frame-empty">loading the benchmark panel…</div>}>
              <BenchmarkPage />
            </Suspense>
          )}
        </StationContext.Provider>
      ) : (
        !error && <div className="frame-empty">connecting to the station…</div>
      )}
      {signIn && session && (
        <SignInDialog
          api={api}
          session={session}
          reason={signIn.reason}
          onSignedIn={(info) => {
            setSession(info);
            setSignIn(null);
            signIn.resolve(true);
          }}
          onCancel={() => {
            setSignIn(null);
            signIn.resolve(false);
          }}
        />
      )}
    </div>
  );
}
