FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backlinks backlinks
COPY gateway gateway
COPY workers workers
COPY contracts contracts
COPY storage storage
RUN pip install --no-cache-dir .
ENV BACKLINKS_HOST=0.0.0.0
EXPOSE 8000
CMD ["backlinks", "up"]
