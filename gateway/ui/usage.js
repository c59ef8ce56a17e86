// The usage page: per day, the model requests made and the answers that needed none (reflexes and
// the shadow cache), and the tokens spent, as charts (uPlot) over 7, 30 or 90 days, with the
// totals above and the same figures in a table below for reading and for screen readers.
import { api } from './api.js';
import { byId, h, showError } from './dom.js';
import uPlot from './vendor/uplot.js';

const RANGES = [7, 30, 90];
const COLOURS = { model: '#4f6bed', avoided: '#1f9d55', input: '#b7791f', output: '#c53030' };

/** Seconds since the epoch at the day's local midnight, as uPlot's time axis reads it. */
const dayToSeconds = (day) => new Date(`${day}T00:00:00`).getTime() / 1000;

export class UsagePage {
  constructor() {
    this.days = 30;
    this.range = h(
      'select',
      { id: 'usage-range', onchange: () => void this.show() },
      ...RANGES.map((days) => h('option', { value: String(days), selected: days === this.days }, `last ${days} days`)),
    );
    this.totals = h('dl', { id: 'usage-totals', class: 'totals' });
    this.answersChart = h('div', {
      id: 'usage-answers-chart',
      class: 'chart',
      role: 'img',
      'aria-label': 'Model requests and answers without the model, by day',
    });
    this.tokensChart = h('div', { id: 'usage-tokens-chart', class: 'chart', role: 'img', 'aria-label': 'Tokens by day' });
    this.rows = h('tbody', { id: 'usage-rows' });
    /** @type {uPlot[]} */
    this.charts = [];
    const head = h('link', { rel: 'stylesheet', href: '/ui/vendor/uplot.css' });
    document.head.append(head);
    byId('pages').append(
      h(
        'section',
        { id: 'page-usage', class: 'page', 'aria-labelledby': 'usage-title', hidden: true },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'usage-title' }, 'Usage'),
          h('label', { for: 'usage-range', class: 'visually-hidden' }, 'Range'),
          this.range,
        ),
        this.totals,
        h('h3', {}, 'Answers by day'),
        this.answersChart,
        h('h3', {}, 'Tokens by day'),
        this.tokensChart,
        h(
          'table',
          { 'aria-label': 'Usage by day' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Day', 'Turns', 'Model requests', 'Without the model', 'Input tokens', 'Output tokens'].map((title) => h('th', { scope: 'col' }, title)),
            ),
          ),
          this.rows,
        ),
      ),
    );
  }

  async show() {
    this.days = Number(this.range.value);
    try {
      // getTimezoneOffset() is minutes west of UTC; the gateway counts days east of it.
      const offset = -new Date().getTimezoneOffset();
      const usage = await api.get(`/usage?days=${this.days}&offsetMinutes=${offset}`);
      this.#totals(usage);
      this.#draw(usage.days);
      this.rows.replaceChildren(
        ...[...usage.days]
          .reverse()
          .map((d) =>
            h(
              'tr',
              { 'data-day': d.day },
              h('td', {}, d.day),
              h('td', {}, String(d.turns)),
              h('td', {}, String(d.modelRequests)),
              h('td', {}, String(d.reflex + d.shadow)),
              h('td', {}, d.inputTokens.toLocaleString()),
              h('td', {}, d.outputTokens.toLocaleString()),
            ),
          ),
      );
    } catch (error) {
      showError(error);
    }
  }

  #totals({ total, avoidedShare }) {
    const items = [
      ['Turns', total.turns],
      ['Model requests', total.modelRequests],
      ['Answered without the model', `${total.reflex + total.shadow} (${Math.round(avoidedShare * 100)}%)`],
      ['Input tokens', total.inputTokens.toLocaleString()],
      ['Output tokens', total.outputTokens.toLocaleString()],
    ];
    this.totals.replaceChildren(...items.flatMap(([term, value]) => [h('dt', {}, term), h('dd', { 'data-total': term }, String(value))]));
  }

  #draw(days) {
    for (const chart of this.charts) chart.destroy();
    const x = days.map((d) => dayToSeconds(d.day));
    const width = Math.max(320, Math.min(900, this.answersChart.clientWidth || 800));
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const options = (series) => ({
      width,
      height: 220,
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      series: [{}, ...series.map(([label, colour]) => ({ label, stroke: colour, fill: `${colour}55`, paths: bars, points: { show: false } }))],
    });
    this.charts = [
      new uPlot(
        options([
          ['Model requests', COLOURS.model],
          ['Without the model', COLOURS.avoided],
        ]),
        [x, days.map((d) => d.modelRequests), days.map((d) => d.reflex + d.shadow)],
        this.answersChart,
      ),
      new uPlot(
        options([
          ['Input tokens', COLOURS.input],
          ['Output tokens', COLOURS.output],
        ]),
        [x, days.map((d) => d.inputTokens), days.map((d) => d.outputTokens)],
        this.tokensChart,
      ),
    ];
  }
}
