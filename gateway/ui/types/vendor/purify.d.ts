// Types of the DOMPurify build that serve.ts serves as /vendor/purify.js.
export { default } from 'dompurify';
