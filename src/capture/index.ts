export {
  CALLER_LABEL,
  CaptureRecordError,
  captureObjectKey,
  formatCaptureObject,
  formatCaptureRecord,
  type CaptureEvent,
} from './record';
