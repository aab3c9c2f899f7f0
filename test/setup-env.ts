// Tests log quietly unless asked otherwise; NODE_ENV=test also turns off pretty printing.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
