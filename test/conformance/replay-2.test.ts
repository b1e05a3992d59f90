import { replayScenarios } from './replay.js'

replayScenarios(1, 2)
