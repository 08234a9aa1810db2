# One image for the API, the workers and the one-off commands (migrate, seed).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    HOST=0.0.0.0 \
    STORAGE_DIR=/data/storage
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
RUN mkdir -p /data/storage && chown -R node:node /data
USER node
EXPOSE 3000
CMD ["npm", "start"]
