import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

export const {
  ConfigurableModuleClass: HeartbeatConfigurableModule,
  MODULE_OPTIONS_TOKEN: HEARTBEAT_MODULE_OPTIONS,
  OPTIONS_TYPE: HEARTBEAT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HEARTBEAT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HeartbeatModuleOptions>({ moduleName: 'Heartbeat' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** What `HeartbeatModule.forRootAsync()` takes: `useFactory` with `inject`, `useClass` or `useExisting`, and `imports`. */
export type HeartbeatModuleAsyncOptions = typeof HEARTBEAT_ASYNC_OPTIONS_TYPE;
