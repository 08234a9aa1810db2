# One image for the API, the workers and the one-off commands (migrate, seed).

# the console is built with dev tools (vite, pdf.js) that the running image does not need
FROM node:20-bookworm-slim AS console
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY vite.config.ts ./
COPY src/ui ./src/ui
RUN npx vite build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    HOST=0.0.0.0 \
    STORAGE_DIR=/data/storage
# plates in demo frames and notices are drawn with DejaVu (the PDF embeds the npm package's copy)
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# dev dependencies are left out: tsx (the runtime) is a regular dependency
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY workers ./workers
COPY models ./models
COPY templates ./templates
COPY data ./data
COPY scripts ./scripts
COPY --from=console /app/dist/ui ./dist/ui
RUN mkdir -p /data/storage && chown -R node:node /data
USER node
EXPOSE 3000
CMD ["npm", "start"]
