export { prometheusMetrics, type MetricLabel, type PrometheusMetrics, type PrometheusMetricsOptions } from './prometheus-metrics.js'
