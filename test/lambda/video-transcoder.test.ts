import { BadJobError, decodeS3Key, ffmpegArgs, outputKeyFor, parseJob, splitOptions } from '../../lambda/video-transcoder/job';

const s3Event = (key: string, eventName = 'ObjectCreated:Put') => JSON.stringify({
  Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'uploads' }, object: { key, size: 10 } } }],
});

describe('parseJob', () => {
  test('an S3 event notification (S3 -> SQS), keys URL-decoded', () => {
    expect(parseJob(s3Event('videos/my+cat%281%29.mov'))).toEqual({ kind: 'objects', objects: [{ bucket: 'uploads', key: 'videos/my cat(1).mov' }] });
  });
  test('the s3:TestEvent sent when the notification is configured', () => {
    expect(parseJob(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-23T00:00:00Z', Bucket: 'uploads' }))).toEqual({ kind: 'test-event' });
  });
  test('an S3 event inside an SNS envelope', () => {
    expect(parseJob(JSON.stringify({ Type: 'Notification', Message: s3Event('a.mp4') }))).toEqual({ kind: 'objects', objects: [{ bucket: 'uploads', key: 'a.mp4' }] });
  });
  test('a direct job', () => {
    expect(parseJob('{"bucket":"b","key":"k.mov"}')).toEqual({ kind: 'objects', objects: [{ bucket: 'b', key: 'k.mov' }] });
  });
  test('non-create events are skipped', () => {
    expect(parseJob(s3Event('a.mp4', 'ObjectRemoved:Delete'))).toEqual({ kind: 'objects', objects: [] });
  });
  test('bad bodies are errors', () => {
    expect(() => parseJob('not json')).toThrow(BadJobError);
    expect(() => parseJob('[1]')).toThrow('message body is not a JSON object');
    expect(() => parseJob('{"Records":[{"s3":{}}]}')).toThrow('S3 event record without s3.bucket.name or s3.object.key');
    expect(() => parseJob('{"hello":1}')).toThrow('expected an S3 event notification, an s3:TestEvent or {"bucket","key"}');
  });
});

test('helpers', () => {
  expect(decodeS3Key('a+b%2Fc')).toBe('a b/c');
  expect(outputKeyFor('uploads/cat.mov', 'small/')).toBe('small/uploads/cat.mp4');
  expect(outputKeyFor('noext', '')).toBe('noext.mp4');
  expect(splitOptions('  -re  -t 5 ')).toEqual(['-re', '-t', '5']);
  expect(ffmpegArgs('/in', '/out.mp4', { width: 320, inputOptions: ['-re'], outputOptions: ['-c:v', 'libx264'] }))
    .toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-re', '-i', '/in', '-vf', 'scale=320:-2', '-c:v', 'libx264', '/out.mp4']);
});
