// Builds the iframe app (Preact + signals) into dist/widget-app/app.js, served by the backend at /widget/app.js.
const path = require('node:path');

module.exports = (_env, argv) => ({
  mode: argv.mode ?? 'production',
  // Kommo's supported browsers run ES2020: webpack's own runtime is written that way too (shorter).
  target: ['web', 'es2020'],
  entry: path.resolve(__dirname, 'app/main.tsx'),
  output: {
    path: path.resolve(__dirname, '../dist/widget-app'),
    filename: 'app.js',
    // Chunks (each language, the admin and broadcast screens) load from where app.js came from.
    chunkFilename: '[name].[contenthash:8].js',
    publicPath: 'auto',
    clean: true,
  },
  devtool: 'source-map',
  resolve: { extensions: ['.tsx', '.ts', '.js'] },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        loader: 'esbuild-loader',
        options: { target: 'es2020', jsx: 'automatic', jsxImportSource: 'preact' },
      },
    ],
  },
  // The card carries no zod (docs/decisions/030); the settings and list screens share it as a chunk of its own.
  optimization: { splitChunks: { cacheGroups: { zod: { test: /[\\/]node_modules[\\/]zod[\\/]/, name: 'zod', chunks: 'async', enforce: true } } } },
  performance: { hints: false },
});
