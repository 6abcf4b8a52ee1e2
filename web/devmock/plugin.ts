export function devMock(){return {name:"devmock"}}
