import type { LineSightApi } from '../../shared/contract';
import { useStationStatus } from './api/use-station';
import { LivePage } from './pages/LivePage';

export function App({ api, transport }: { api: LineSightApi; transport: 'ipc' | 'websocket' }) {
  const { status, error } = useStationStatus(api);
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">LineSight</div>
        {status && (
          <div className="topbar-facts">
            <span>{status.station.name}</span>
            <span>
              model {status.model.name} {status.model.version} · {status.model.provider.toUpperCase()}
            </span>
            <span className={`source-state source-${status.source.state}`}>line {status.source.state}</span>
          </div>
        )}
        <div className="transport" title={`connected over ${transport}`}>
          {transport === 'ipc' ? 'desktop' : 'browser'}
        </div>
      </header>
      {error && !status && <div className="alarm">Cannot reach the station: {error}</div>}
      {status?.lastError && <div className="alarm alarm-minor">Last problem: {status.lastError}</div>}
      {status ? <LivePage api={api} status={status} /> : !error && <div className="frame-empty">connecting to the station…</div>}
    </div>
  );
}
