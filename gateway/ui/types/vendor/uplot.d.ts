// Types of the uPlot build that serve.ts serves as /vendor/uplot.js.
export { default } from 'uplot';
