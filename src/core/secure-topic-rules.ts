import { Token } from 'aws-cdk-lib';
import { SecureTopicProps } from './secure-topic';
import { NAME_RULES, Rule } from './validation';
import { alarmTopicRule } from '../monitoring/alarm-topic';

/** SNS limit on a topic's display name. */
const DISPLAY_NAME_MAX = 100;

/** Whether the props make a FIFO topic. */
export function topicIsFifo(props: SecureTopicProps): boolean {
  return props.existingTopic ? props.existingTopic.fifo : (props.fifo ?? false);
}

/** The rule table of {@link SecureTopic}, under `prefix` (e.g. `topicProps.`). */
export function secureTopicRules(prefix = ''): Rule<SecureTopicProps>[] {
  const p = (name: string) => `${prefix}${name}`;
  return [
    (t, v) => {
      if (!t.existingTopic) return;
      const settings: Record<string, unknown> = {
        topicName: t.topicName,
        displayName: t.displayName,
        fifo: t.fifo,
        contentBasedDeduplication: t.contentBasedDeduplication,
        encryptionKey: t.encryptionKey,
        deliveryStatusLogging: t.deliveryStatusLogging,
        removalPolicy: t.removalPolicy,
      };
      for (const [name, value] of Object.entries(settings)) {
        v.notSetWith('SECURE_TOPIC_SETTING_WITH_EXISTING', p(name), value, `when ${p('existingTopic')} is given (an imported resource cannot be reconfigured)`,
          `remove ${p(name)}, or drop ${p('existingTopic')} so the block creates and configures the topic`);
      }
    },
    (t, v) => {
      if (t.existingTopic || t.topicName === undefined || Token.isUnresolved(t.topicName)) return;
      const fifo = topicIsFifo(t);
      v.check('SECURE_TOPIC_NAME_FIFO', t.topicName.endsWith('.fifo') === fifo, {
        prop: p('topicName'),
        value: `"${t.topicName}" with fifo: ${fifo}`,
        allowed: 'a name ending in ".fifo" for a FIFO topic, and only then',
        fix: fifo ? `name the topic "${t.topicName}.fifo"` : `set ${p('fifo')}: true, or remove the ".fifo" suffix`,
      });
      v.name('SECURE_TOPIC_NAME', p('topicName'), t.topicName, NAME_RULES.topic);
    },
    (t, v) => {
      if (t.existingTopic || t.displayName === undefined || Token.isUnresolved(t.displayName)) return;
      v.check('SECURE_TOPIC_DISPLAY_NAME', t.displayName.length <= DISPLAY_NAME_MAX, {
        prop: p('displayName'),
        value: `"${t.displayName.slice(0, 20)}..." (${t.displayName.length} characters)`,
        allowed: `at most ${DISPLAY_NAME_MAX} characters (SNS limit)`,
        fix: `shorten ${p('displayName')}`,
      });
    },
    (t, v) => {
      if (t.existingTopic) return;
      v.check('SECURE_TOPIC_FIFO_ONLY', topicIsFifo(t) || t.contentBasedDeduplication !== true, {
        prop: p('contentBasedDeduplication'), value: 'true on a standard topic', allowed: 'true only on a FIFO topic', fix: `set ${p('fifo')}: true, or remove ${p('contentBasedDeduplication')}`,
      });
    },
    (t, v) => {
      const logging = t.deliveryStatusLogging;
      if (t.existingTopic || !logging) return;
      v.nonEmpty('SECURE_TOPIC_LOGGING_PROTOCOLS', p('deliveryStatusLogging.protocols'), logging.protocols,
        'name the protocols to log (sns.LoggingProtocol.SQS, LAMBDA, HTTP, FIREHOSE, APPLICATION), or remove deliveryStatusLogging');
      v.check('SECURE_TOPIC_LOGGING_PROTOCOLS_UNIQUE', new Set(logging.protocols).size === logging.protocols.length, {
        prop: p('deliveryStatusLogging.protocols'), value: JSON.stringify(logging.protocols), allowed: 'each protocol at most once', fix: 'remove the repeated protocol',
      });
      v.numberInRange('SECURE_TOPIC_SUCCESS_SAMPLE_RATE', p('deliveryStatusLogging.successSampleRate'), logging.successSampleRate, { min: 0, max: 100, unit: 'percent' });
    },
    alarmTopicRule(prefix),
  ];
}
