export {
  CaptureRecordError,
  captureObjectKey,
  formatCaptureObject,
  formatCaptureRecord,
  type CaptureEvent,
} from './record';
