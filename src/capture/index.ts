export {
  CALLER_LABEL,
  CaptureRecordError,
  captureObjectKey,
  captureStreamPrefix,
  formatCaptureObject,
  formatCaptureRecord,
  type CaptureEvent,
} from './record';
