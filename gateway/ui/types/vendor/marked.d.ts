// Types of the marked build that serve.ts serves as /vendor/marked.js.
export * from 'marked';
