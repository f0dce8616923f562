/** @module main: the inspector page's entry: reads /api/info, then renders the app. */
import { render } from 'preact';
import { api, requestLog } from './api.js';
import { App } from './App.js';
import './styles.css';

// Tests read what the page asked the server for (every API response must be a bounded page).
(window as unknown as { hivestateRequests: typeof requestLog }).hivestateRequests = requestLog;

api.info().then(
  (info) => render(<App info={info} />, document.getElementById('app')!),
  (e: Error) => {
    document.body.dataset.error = e.message;
    document.getElementById('app')!.textContent = `The inspector could not start: ${e.message}`;
  },
);
