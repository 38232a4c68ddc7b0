import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { selectApi } from './api/select-api';
import { App } from './App';
import './styles.css';

const { api, transport, connection } = selectApi(window);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} transport={transport} connection={connection} />
  </StrictMode>,
);
