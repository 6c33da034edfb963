/* Vue, Element Plus and ECharts are classic scripts (Element Plus's prebuilt bundle needs the global
 * Vue); this module hands them to the console's ES modules. */
export const Vue = window.Vue;
export const ElementPlus = window.ElementPlus;
export const zhCn = window.ElementPlusLocaleZhCn;
export const echarts = window.echarts;
export const { reactive, ref, computed, watch, onMounted, onBeforeUnmount, nextTick, createApp, h } = window.Vue;
export const { ElMessage, ElMessageBox } = window.ElementPlus;
